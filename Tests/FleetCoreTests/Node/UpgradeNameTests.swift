import FleetCore
import FleetTestSupport
import Testing

@Suite("UpgradeName", .tags(.pure))
struct UpgradeNameTests {
    @Test(
        "Go url.PathEscape of a path segment",
        arguments: [
            ("some spaces", "some%20spaces"),
            ("myUpgrade", "myUpgrade"),
            ("AZaz09-_.~$&+:=@", "AZaz09-_.~$&+:=@"),
            ("a/b;c,d?e%f#g", "a%2Fb%3Bc%2Cd%3Fe%25f%23g"),
            ("é", "%C3%A9"),
            ("v1!*'()", "v1%21%2A%27%28%29"),
            ("x\u{7F}", "x%7F"),
        ]
    )
    func escapes(raw: String, escaped: String) {
        #expect(UpgradeName.escape(raw) == escaped)
    }

    @Test(
        "recasing lower-cases per scalar like Go strings.ToLower, unless disabled",
        arguments: [
            ("Upgrade2", true, "upgrade2", "upgrade2"),
            ("Upgrade2", false, "Upgrade2", "Upgrade2"),
            ("ÀBÇ", true, "àbç", "%C3%A0b%C3%A7"),
            ("İstanbul", true, "istanbul", "istanbul"),
            ("ΣΑΣ", true, "σασ", "%CF%83%CE%B1%CF%83"),
            ("V2 Fix", true, "v2 fix", "v2%20fix"),
        ]
    )
    func recases(raw: String, recase: Bool, recased: String, directory: String) throws {
        let name = try UpgradeName(raw, recase: recase)
        #expect(name.original == raw)
        #expect(name.recased == recased)
        #expect(name.directory == directory)
    }

    @Test(
        "hostile names that are accepted stay one component inside upgrades/",
        arguments: ["../x", "a/../../b", "/etc/passwd", "..%2F", "...", ". .", "~root", "$HOME"]
    )
    func hostileButContained(raw: String) throws {
        let name = try UpgradeName(raw)
        #expect(!name.directory.contains("/"))
        #expect(name.directory != "." && name.directory != "..")
        let layout = CosmovisorLayout(home: "/h", daemonName: "d")
        #expect(layout.upgradeDirectory(for: name) == "/h/cosmovisor/upgrades/" + name.directory)
    }

    @Test(
        "refused names",
        arguments: [
            ("", UpgradeNameError.Code.empty),
            (".", .dotName),
            ("..", .dotName),
            ("a\u{0}b", .controlCharacter),
            ("v2\n", .controlCharacter),
            ("\tv2", .controlCharacter),
            ("v\u{7F}", .controlCharacter),
            ("v\u{85}", .controlCharacter),
            (String(repeating: "a", count: 256), .tooLong),
            (String(repeating: "é", count: 43), .tooLong),
            (String(repeating: " ", count: 86), .tooLong),
        ]
    )
    func refused(raw: String, code: UpgradeNameError.Code) {
        let error = #expect(throws: UpgradeNameError.self) { try UpgradeName(raw) }
        #expect(error?.code == code)
        #expect(error?.description.isEmpty == false)
    }

    @Test(
        "the longest accepted names",
        arguments: [String(repeating: "a", count: 255), String(repeating: "é", count: 42)]
    )
    func longestAccepted(raw: String) throws {
        let name = try UpgradeName(raw)
        #expect(name.directory.utf8.count <= 255)
    }

    @Test("a 300-byte name is refused")
    func threeHundredBytes() {
        let error = #expect(throws: UpgradeNameError.self) { try UpgradeName(String(repeating: "x", count: 300)) }
        #expect(error?.code == .tooLong)
    }

    @Test("every printable ASCII name maps into one directory component")
    func everyPrintableASCII() throws {
        for value in 0x20...0x7E {
            let raw = "v" + String(UnicodeScalar(UInt8(value))) + "v"
            let name = try UpgradeName(raw)
            #expect(!name.directory.contains("/"), "\(raw)")
        }
    }
}
