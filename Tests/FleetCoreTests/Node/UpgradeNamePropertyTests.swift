import FleetCore
import FleetTestSupport
import Foundation
import PropertyBased
import Testing

/// Properties of the one name check shared by agent and fleet, over generated names.
@Suite("UpgradeName properties", .tags(.pure))
struct UpgradeNamePropertyTests {
    /// Either the name is refused, or its directory is one safe component that decodes back to the name.
    static func checkContained(_ raw: String) {
        guard let name = try? UpgradeName(raw) else {
            let recased = UpgradeName.lowercase(raw)
            let refusedForAReason =
                raw.isEmpty || raw.unicodeScalars.contains { $0.properties.generalCategory == .control }
                || recased == "." || recased == ".." || UpgradeName.escape(recased).utf8.count > 255
            #expect(refusedForAReason, "\(raw.debugDescription) refused without a reason")
            return
        }
        #expect(!name.directory.contains("/"))
        #expect(!name.directory.utf8.contains(0))
        #expect(name.directory != "." && name.directory != "..")
        #expect(name.directory.utf8.count <= UpgradeName.maximumDirectoryLength)
        #expect(name.directory.removingPercentEncoding == name.recased)
        let layout = CosmovisorLayout(home: "/h", daemonName: "d")
        let path = layout.upgradeDirectory(for: name)
        #expect((path as NSString).deletingLastPathComponent == "/h/cosmovisor/upgrades")
    }

    @Test("Latin-1 names")
    func latin1() async {
        await propertyCheck(input: Gen.latin1.string(of: 0...40)) { Self.checkContained($0) }
    }

    @Test("names made of dots, slashes and percent signs")
    func separators() async {
        let pieces = Gen<Character>.character(in: "%"..."/")  // % & ' ( ) * + , - . /
        await propertyCheck(input: pieces.string(of: 0...12)) { Self.checkContained($0) }
    }

    @Test("Unicode names up to 300 scalars")
    func unicode() async {
        let scalars = Gen<UnicodeScalar>.unicodeScalar(in: "\u{0}"..."\u{D7FF}").map { Character($0) }
        await propertyCheck(input: scalars.string(of: 0...300)) { Self.checkContained($0) }
    }
}
