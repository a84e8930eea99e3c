/// An HTTP response the simulator sends, or the misbehaviour it performs instead.
struct ServerResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    init(
        status: Int = 200, contentType: String = "application/json; charset=utf-8", body: [UInt8],
        extraHeaders: [(String, String)] = []
    ) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + extraHeaders
        self.body = body
    }

    static func json(_ body: [UInt8], status: Int = 200) -> ServerResponse {
        ServerResponse(status: status, body: body)
    }

    static func html(status: Int, _ text: String, extraHeaders: [(String, String)] = []) -> ServerResponse {
        ServerResponse(status: status, contentType: "text/html", body: Array(text.utf8), extraHeaders: extraHeaders)
    }

    /// The serialized status line, headers (with an exact `Content-Length`) and body.
    func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// What the server does with a request.
enum ServerAction: Sendable {
    /// Answer, optionally after a delay in seconds (the "slow" fault).
    case respond(ServerResponse, delay: Double)
    /// Close the connection without answering (the "drop" fault).
    case drop
}
