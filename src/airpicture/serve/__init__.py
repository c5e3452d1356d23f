"""The operators' air picture: HTTP + WebSocket server and the offline web client it serves."""

from airpicture.serve.server import PictureServer

__all__ = ["PictureServer"]
