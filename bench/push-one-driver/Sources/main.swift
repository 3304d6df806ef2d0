// push-one-driver HOST PORT USER KEY KNOWN_HOSTS LOCAL REMOTE
// Connects, uploads LOCAL to REMOTE (temp name + rename, mode 0755) and prints the upload's seconds.
import FleetCore
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 8, let port = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: push-one-driver HOST PORT USER KEY KNOWN_HOSTS LOCAL REMOTE\n".utf8))
    exit(64)
}
let target = SSHTarget(
    host: arguments[1], port: port, user: arguments[3], identityFiles: [arguments[4]], knownHostsFile: arguments[5])
do {
    try await withSSHConnection(target) { connection in
        let started = ContinuousClock.now
        try await connection.upload(localPath: arguments[6], remotePath: arguments[7], mode: 0o755)
        print("upload \(ContinuousClock.now - started)")
    }
} catch {
    FileHandle.standardError.write(Data("push-one-driver: \(error)\n".utf8))
    exit(1)
}
