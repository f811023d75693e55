"""Python ssl (redis-py) verdicts for the stack-matrix harness.

stdin: a JSON list of {"addr", "port", "host", "cafile"}; stdout: a JSON list of verdicts
{"accepts", "stage", "reason"} in the same order, or {"harness": text} when the TCP connection
itself failed (no verdict: the harness reports it as its own error).
"""
import json
import socket
import ssl
import sys

# X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_EMAIL_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
NAME_ERRORS = {62, 63, 64}


def verdict(case):
    # What redis-py does with ssl_ca_certs: the default context, only this CA file trusted.
    context = ssl.create_default_context(cafile=case["cafile"])
    try:
        raw = socket.create_connection((case["addr"], case["port"]), timeout=10)
    except OSError as error:
        return {"harness": repr(error)}
    try:
        with context.wrap_socket(raw, server_hostname=case["host"]):
            return {"accepts": True}
    except ssl.SSLCertVerificationError as error:
        stage = "name" if error.verify_code in NAME_ERRORS else "trust"
        reason = "%d %s" % (error.verify_code, error.verify_message)
        return {"accepts": False, "stage": stage, "reason": reason}
    except ssl.SSLError as error:
        return {"accepts": False, "stage": "handshake", "reason": error.reason or str(error)}
    except (ValueError, UnicodeError) as error:
        # server_hostname refused before any byte is sent
        return {"accepts": False, "stage": "name", "reason": "%s: %s" % (type(error).__name__, error)}
    finally:
        raw.close()


def main():
    cases = json.load(sys.stdin)
    json.dump([verdict(case) for case in cases], sys.stdout)


main()
