"""The local automation API: the task endpoints over HTTP on 127.0.0.1, token required."""
