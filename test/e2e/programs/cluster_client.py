"""A redis-py RedisCluster client, as an application configures one, run by the topology tests:
connects to the seed, SETs one key in each node's slots, and prints what happened as JSON.

Usage: python3 cluster_client.py '{"seed":{"host","port"}, "ca","cert","key",
  "resolve":{NAME:ADDRESS}, "keys":{NODE:KEY}, "passHostnameCheck": bool}'

`resolve` stands in for DNS (no /etc/hosts edits): socket.getaddrinfo answers those names with
those addresses, while the TLS check still gets the name (server_hostname=self.host).
`passHostnameCheck` adds ssl_check_hostname to RedisCluster's REDIS_ALLOWED_KEYS: redis-py 4.3.4
drops the option otherwise (redis-py issue #3122) and checks no host name at all.
"""
import json
import socket
import sys

import redis
import redis.cluster

config = json.loads(sys.argv[1])
resolve = config.get("resolve", {})
original = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    return original(resolve.get(host, host), *args, **kwargs)


socket.getaddrinfo = getaddrinfo
if config.get("passHostnameCheck"):
    redis.cluster.REDIS_ALLOWED_KEYS = redis.cluster.REDIS_ALLOWED_KEYS + ("ssl_check_hostname",)

out = {"version": redis.__version__, "results": {}}
try:
    cluster = redis.cluster.RedisCluster(
        host=config["seed"]["host"],
        port=config["seed"]["port"],
        ssl=True,
        ssl_ca_certs=config["ca"],
        ssl_certfile=config["cert"],
        ssl_keyfile=config["key"],
        ssl_cert_reqs="required",
        ssl_check_hostname=True,
        socket_timeout=5,
        socket_connect_timeout=5,
        cluster_error_retry_attempts=1,
    )
except Exception as error:  # the seed refused: nothing else is tried
    out["init"] = f"{type(error).__name__}: {str(error)[:400]}"
else:
    for node, key in config["keys"].items():
        try:
            cluster.set(key, "1")
            out["results"][node] = "ok"
        except Exception as error:
            out["results"][node] = f"error: {type(error).__name__}: {str(error)[:400]}"
    cluster.close()
print(json.dumps(out))
