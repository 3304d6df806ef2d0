import Foundation

/// Renders a moment with one of Go's reference layouts (the ones ``LogTimeFormat`` names), in local time.
enum LogTimestamp {
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    /// Tokens of Go's layout language, longest first where prefixes collide.
    private static let tokens = [
        "2006", "Monday", "Mon", "January", "Jan", "-0700", "Z07:00", ".999999999", "MST", "PM", "_2",
        "01", "02", "03", "04", "05", "06", "15", "3",
    ]

    /// Formats `date` with a Go `layout` in `timeZone`.
    static func format(_ date: Date, layout: String, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday],
            from: date
        )
        let offset = timeZone.secondsFromGMT(for: date)
        var out = ""
        var rest = Substring(layout)
        while !rest.isEmpty {
            guard let token = tokens.first(where: { rest.hasPrefix($0) }) else {
                out.append(rest.removeFirst())
                continue
            }
            rest = rest.dropFirst(token.count)
            let hour = parts.hour ?? 0
            switch token {
            case "2006": out += pad(parts.year ?? 0, 4)
            case "06": out += pad((parts.year ?? 0) % 100, 2)
            case "Monday": out += weekdays[(parts.weekday ?? 1) - 1]
            case "Mon": out += String(weekdays[(parts.weekday ?? 1) - 1].prefix(3))
            case "January": out += months[(parts.month ?? 1) - 1]
            case "Jan": out += String(months[(parts.month ?? 1) - 1].prefix(3))
            case "01": out += pad(parts.month ?? 0, 2)
            case "02": out += pad(parts.day ?? 0, 2)
            case "_2": out += (parts.day ?? 0) < 10 ? " \(parts.day ?? 0)" : "\(parts.day ?? 0)"
            case "15": out += pad(hour, 2)
            case "03": out += pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case "3": out += String(hour % 12 == 0 ? 12 : hour % 12)
            case "04": out += pad(parts.minute ?? 0, 2)
            case "05": out += pad(parts.second ?? 0, 2)
            case "PM": out += hour >= 12 ? "PM" : "AM"
            case "MST": out += timeZone.abbreviation(for: date) ?? zone(offset, colon: false)
            case "-0700": out += zone(offset, colon: false)
            case "Z07:00": out += offset == 0 ? "Z" : zone(offset, colon: true)
            case ".999999999":
                var digits = pad(parts.nanosecond ?? 0, 9)
                while digits.hasSuffix("0") { digits.removeLast() }
                if !digits.isEmpty { out += "." + digits }
            default: out += token
            }
        }
        return out
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func zone(_ offset: Int, colon: Bool) -> String {
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return sign + pad(minutes / 60, 2) + (colon ? ":" : "") + pad(minutes % 60, 2)
    }
}
