"""A client of the sync-gateway TCP event-bus bridge, standard library only.

Framing (vertx-tcp-eventbus-bridge): every frame is a 4-byte big-endian length, then that many bytes
of UTF-8 JSON: {"type", "address", "headers", "body", "replyAddress"}. Types a service sends:
register, unregister, send (a reply to a message it received), ping. Types it receives: message,
err, pong. Every frame carries the service token (an admin-role JWT of the gateway) in
headers["token"]; the gateway refuses a frame without it with an "err" frame.
"""
import json
import socket
import struct
import threading


class BridgeError(Exception):
    pass


class Bridge:
    def __init__(self, host, port, token, timeout=None):
        self._token = token
        self._socket = socket.create_connection((host, port), timeout=timeout)
        self._socket.settimeout(None)
        self._write_lock = threading.Lock()
        self._handlers = {}
        self.errors = []
        self.on_error = None  # on_error(frame): an "err" frame (a refused frame, a failed request)
        self.on_pong = None  # on_pong(frame): the answer to ping()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- frames out ----------------------------------------------------------------------------

    def _send_frame(self, frame):
        frame.setdefault("headers", {})["token"] = self._token
        data = json.dumps(frame).encode("utf-8")
        with self._write_lock:
            self._socket.sendall(struct.pack(">I", len(data)) + data)

    def register(self, address, handler):
        """handler(message) is called for every message on address; message has body, reply(body)."""
        self._handlers[address] = handler
        self._send_frame({"type": "register", "address": address})

    def unregister(self, address):
        self._handlers.pop(address, None)
        self._send_frame({"type": "unregister", "address": address})

    def reply(self, reply_address, body):
        self._send_frame({"type": "send", "address": reply_address, "body": body})

    def ping(self):
        self._send_frame({"type": "ping"})

    def close(self):
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()

    # -- frames in -----------------------------------------------------------------------------

    def _read_exactly(self, count):
        chunks = []
        while count > 0:
            chunk = self._socket.recv(count)
            if not chunk:
                raise EOFError("bridge closed the connection")
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _read_loop(self):
        try:
            while True:
                (length,) = struct.unpack(">I", self._read_exactly(4))
                frame = json.loads(self._read_exactly(length).decode("utf-8"))
                self._dispatch(frame)
        except (EOFError, OSError):
            return

    def _dispatch(self, frame):
        kind = frame.get("type")
        if kind == "err":
            self.errors.append(frame.get("message"))
            if self.on_error:
                self.on_error(frame)
            return
        if kind == "pong":
            if self.on_pong:
                self.on_pong(frame)
            return
        if kind != "message":
            return
        handler = self._handlers.get(frame.get("address"))
        if handler is not None:
            handler(Message(self, frame))


class Message:
    def __init__(self, bridge, frame):
        self._bridge = bridge
        self.address = frame.get("address")
        self.body = frame.get("body")
        self.headers = frame.get("headers") or {}
        self.reply_address = frame.get("replyAddress")

    def reply(self, body):
        if self.reply_address is None:
            raise BridgeError("message on %s expects no reply" % self.address)
        self._bridge.reply(self.reply_address, body)
