"""airpicture: an open airspace surveillance system.

Data flows left to right through one folder per stage:
sources → decode → track → identify → monitor → record / serve, with coverage and sim beside them.
Each stage imports only from stages to its left and from ``core``.
"""

__version__ = "0.1.0"
