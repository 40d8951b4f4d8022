#!/usr/bin/env python3
"""A second gpodder API client for the sync tests: gPodder's own library, mygpoclient.

  mygpo_client.py ROOT USER PASSWORD subscriptions DEVICE   -> JSON list of feed URLs
  mygpo_client.py ROOT USER PASSWORD actions                -> JSON list of episode actions
  mygpo_client.py ROOT USER PASSWORD upload < actions.json  -> uploads them

mygpoclient sends Basic auth only after a 401 that carries WWW-Authenticate and posts without a
JSON content type; podsync sends no such header and wants the type. Both are added to every
request here (mygpoclient looks the request builder up at call time).
"""

import base64
import json
import sys

from mygpoclient import api, http


def patch_requests(user, password):
    original = http.HttpClient._prepare_request
    token = base64.b64encode(f"{user}:{password}".encode()).decode()

    def prepare(method, uri, data):
        request = original(method, uri, data)
        request.add_header("Authorization", "Basic " + token)
        request.add_header("Content-Type", "application/json")
        return request

    http.HttpClient._prepare_request = staticmethod(prepare)


def main():
    root, user, password, command = sys.argv[1:5]
    patch_requests(user, password)
    client = api.MygPodderClient(user, password, root)
    if command == "subscriptions":
        changes = client.pull_subscriptions(sys.argv[5], since=0)
        print(json.dumps(sorted(set(changes.add) - set(changes.remove))))
    elif command == "actions":
        changes = client.download_episode_actions(since=0)
        print(json.dumps([
            {
                "podcast": a.podcast,
                "episode": a.episode,
                "action": a.action,
                "device": a.device,
                "timestamp": a.timestamp,
                "started": a.started,
                "position": a.position,
                "total": a.total,
            }
            for a in changes.actions
        ]))
    elif command == "upload":
        actions = [
            api.EpisodeAction(
                a["podcast"], a["episode"], a["action"],
                device=a.get("device"), timestamp=a.get("timestamp"),
                started=a.get("started"), position=a.get("position"), total=a.get("total"),
            )
            for a in json.load(sys.stdin)
        ]
        print(json.dumps({"timestamp": client.upload_episode_actions(actions)}))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
