import socket


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_s3_port() -> int:
    """A port for the embedded SeaweedFS: it takes the port, the next few above it, and the same 10000 higher."""
    while True:
        port = free_port()
        span = [port + i for i in range(5)] + [port + 10000 + i for i in range(5)]
        if port < 55000 and all(port_is_free(p) for p in span):
            return port
