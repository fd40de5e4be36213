"""A one-line progress bar for terminals; silent when output is not a terminal."""

import sys

WIDTH = 30


class ProgressBar:
    def __init__(self, stream=None, label: str = "contracts"):
        self.stream = stream or sys.stderr
        self.label = label
        self.enabled = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        filled = WIDTH * done // total
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {100 * done // total:3d}% "
            f"{done:,}/{total:,} {self.label}"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
