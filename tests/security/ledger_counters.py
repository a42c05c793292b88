"""One process of counters for test_ledger_200.py's process variant: `python -m tests.security.ledger_counters PLAN.json`.

Reads its counters from the JSON file named on the command line ({"household": id, "staff": id, "lanes": [[counter, …], …]}, a counter
being ["redeem", goods_id, key] or ["post", points, key]), starts one thread per lane, says "ready", waits
for the test to create the start file so every process starts at once, runs each lane's counters one after
the other through the actions, and prints one JSON line: [{"key", "ok"} | {"key", "refused"} | {"key", "crashed"}].
"""

import json
import os
import sys
import threading
import time
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from qiancun.accounts.models import User
    from qiancun.core.errors import DomainError
    from qiancun.participation import actions
    from qiancun.participation.models import Household

    plan = json.loads(Path(sys.argv[1]).read_text())
    household = Household.objects.get(pk=plan["household"])
    staff = User.objects.get(pk=plan["staff"])
    start = Path(plan["start_file"])
    connection.close()  # each lane opens its own
    outcomes: list[dict] = []

    def count(counter):
        kind, value, key = counter
        try:
            if kind == "redeem":
                actions.do_redeem(household, [(value, 1)], acting_user=staff, idempotency_key=key)
            else:
                actions.do_post_points(household, acting_user=staff, idempotency_key=key, points=value, reason="多进程柜台")
        except DomainError as exc:
            return {"key": key, "refused": exc.code}
        except Exception as exc:  # noqa: BLE001 - the test reports it
            return {"key": key, "crashed": f"{type(exc).__name__}: {exc}"}
        return {"key": key, "ok": True}

    def lane(counters):
        try:
            deadline = time.monotonic() + 300  # never outlive a test that gave up
            while not start.exists():
                if time.monotonic() > deadline:
                    return
                time.sleep(0.002)
            for counter in counters:
                outcomes.append(count(counter))
        finally:
            connection.close()

    threads = [threading.Thread(target=lane, args=(counters,)) for counters in plan["lanes"]]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    for thread in threads:
        thread.join()
    print(json.dumps(outcomes, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancun.settings.worker_processes")
    main()
