"""A service in Python on the gateway's event bus, through the TCP bridge.

It follows the committed changes of its organization (sync.changes.<org>) and serves that
organization's validation hook (sync.hooks.validate.<org>): a task whose title contains "forbidden"
is rejected with the code `validation`.

    python3 example.py --port 7000 --org acme --token "$SERVICE_TOKEN"

The token is an admin-role token of the organization, e.g.
    java -jar target/sync-gateway.jar token --user validator --org acme --role admin
It prints one JSON line per event on standard output (for people, and for the integration test):
    {"event": "ready"}, {"event": "change", ...}, {"event": "validated", ...}, {"event": "error", ...}
On "pause" on standard input it stops answering the hook (the gateway then accepts by default after
its deadline); on "resume" it answers again.
"""
import argparse
import json
import sys
import threading

from sync_bridge import Bridge

FORBIDDEN_WORD = "forbidden"


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7000)
    parser.add_argument("--org", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()

    answering = threading.Event()
    answering.set()
    bridge = Bridge(args.host, args.port, args.token, timeout=10)
    bridge.on_error = lambda frame: emit("error", message=frame.get("message"))

    def on_changes(message):
        for change in message.body.get("changes", []):
            emit("change", org=message.body.get("org"), type=change["type"], id=change["id"],
                 operation=change["operation"], position=change["position"])

    def on_validate(message):
        if not answering.is_set():
            emit("ignored", batchId=message.body.get("batchId"))
            return
        rejected = []
        for item in message.body.get("items", []):
            title = (item.get("fields") or {}).get("title") or ""
            if item.get("type") == "task" and FORBIDDEN_WORD in title.lower():
                rejected.append({"index": item["index"], "message": "titles may not contain '%s'" % FORBIDDEN_WORD})
        message.reply({"rejected": rejected})
        emit("validated", batchId=message.body.get("batchId"), rejected=len(rejected))

    bridge.register("sync.changes." + args.org, on_changes)
    bridge.register("sync.hooks.validate." + args.org, on_validate)
    # The pong comes after both registrations were checked and made: then the service is on the bus.
    bridge.on_pong = lambda frame: emit("ready")
    bridge.ping()

    for line in sys.stdin:
        command = line.strip()
        if command == "pause":
            answering.clear()
            emit("paused")
        elif command == "resume":
            answering.set()
            emit("resumed")
        elif command == "quit":
            break
    bridge.close()


if __name__ == "__main__":
    main()
