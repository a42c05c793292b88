"""A small HTTP load generator, run as a separate process by the API throughput benchmark.

    python -m bench.load URL SECONDS CONCURRENCY [TOKEN]

Prints one JSON line: requests, errors, seconds, requests per second, p50/p95 latency in ms.
Standard library only (threads, http.client), so it measures the server, not a dependency.
"""

import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def run(url: str, seconds: float, concurrency: int, token: str = "") -> dict:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    bad += 1
                    continue
            except OSError:
                bad += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"requests": len(latencies), "errors": errors[0], "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": round(cuts[49], 2) if cuts else None,
            "p95_ms": round(cuts[94], 2) if cuts else None}


if __name__ == "__main__":
    url, seconds, concurrency = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(run(url, seconds, concurrency, sys.argv[4] if len(sys.argv) > 4 else "")))
