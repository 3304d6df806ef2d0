/// The retry delays for transient connection failures (sshd `MaxStartups` dropping new connections).
///
/// A pure function: exponential from 100 ms, doubling, capped at 2 s, with the caller's jitter
/// spreading each delay over [delay/2, delay]:
///
/// | attempt (1 = first retry) | base delay | with jitter 0…1 |
/// |---|---|---|
/// | 1 | 100 ms | 50–100 ms |
/// | 2 | 200 ms | 100–200 ms |
/// | 3 | 400 ms | 200–400 ms |
/// | 4 | 800 ms | 400–800 ms |
/// | 5 | 1.6 s | 0.8–1.6 s |
/// | 6 and later | 2 s | 1–2 s |
///
/// Five retries wait at most 3.1 s in total. sshd frees a `MaxStartups` slot as soon as a pending
/// connection authenticates (tens of milliseconds on a LAN), so short first delays succeed quickly,
/// while the jitter keeps fifty clients dropped together from returning together.
public enum Backoff {
    /// The delay before retry number `attempt` (1-based).
    ///
    /// - Parameters:
    ///   - attempt: 1 for the first retry; values below 1 count as 1.
    ///   - jitter: a number in 0…1 (random in production, fixed in tests); 1 gives the full delay.
    /// - Returns: the delay, between half and all of the base delay in the table.
    public static func delay(attempt: Int, jitter: Double = 1) -> Duration {
        let base = baseMilliseconds(attempt: attempt)
        let factor = 0.5 + 0.5 * min(max(jitter, 0), 1)
        return .milliseconds(Int64((Double(base) * factor).rounded()))
    }

    /// The base delay in milliseconds: 100 · 2^(attempt−1), capped at 2000.
    public static func baseMilliseconds(attempt: Int) -> Int {
        let exponent = min(max(attempt, 1) - 1, 5)
        return min(100 << exponent, 2000)
    }
}
