"""Progress of a flow: a bar redrawn in place on a terminal, periodic lines elsewhere (a notebook, a log file)."""
import sys
import time


def _clock(seconds):
    if not (seconds >= 0) or seconds > 1e7:
        return "--:--"
    s = int(round(seconds))
    return f"{s // 3600}:{(s // 60) % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


class ProgressBar:
    """The built-in progress of a flow: update(done, total, loss) after each step, finish(text) at the end.

    label:        the name shown before each line (the spec's name)
    stream:       where to write (default sys.stderr); a terminal gets one bar redrawn in place, anything else lines
    line_every_s: outside a terminal, a line at least this often (seconds) besides one every 10 %
    """

    def __init__(self, label, stream=None, line_every_s=5.0):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.line_every_s = line_every_s
        self.begin = time.monotonic()
        self.start = None
        self.last_print = -1e9
        self.last_decile = -1

    def update(self, done, total, loss):
        now = time.monotonic()
        if self.start is None:
            self.start = done - 1
            self.begin = now
        frac = done / total if total > 0 else 1.0
        decile = int(frac * 10)
        # A terminal is redrawn ~10 times a second; elsewhere a line every 10 % or every few seconds.
        if self.tty:
            due = now - self.last_print >= 0.1
        else:
            due = decile != self.last_decile or now - self.last_print >= self.line_every_s
        if not due and done != total:
            return
        self.last_print, self.last_decile = now, decile
        elapsed = now - self.begin
        rate = (done - self.start) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else -1.0
        text = f"{done}/{total} ({int(frac * 100)}%) loss {loss:.6g}, {rate:.1f} it/s, eta {_clock(eta)}"
        if self.tty:
            filled = int(frac * 30)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {text}   ")
        else:
            self.stream.write(f"{self.label}: step {text}\n")
        self.stream.flush()

    def finish(self, closing):
        elapsed = time.monotonic() - self.begin
        self.stream.write(f"{chr(10) if self.tty else ''}{self.label}: {closing} in {_clock(elapsed)}\n")
        self.stream.flush()


class _UpdateCloseBar:
    """A tqdm bar (or any object with update(n) and close()) driven as a progress observer: advanced by the steps
    done, its total set from the flow when it has none, the loss shown with set_postfix when it has one. Closed when
    the flow's schedule ends, or at the end of the call when wowflow made it (progress=tqdm.tqdm)."""

    def __init__(self, bar, owned):
        self.bar = bar
        self.owned = owned
        self.last = None

    def update(self, done, total, loss):
        bar = self.bar
        if getattr(bar, "total", 0) is None and hasattr(bar, "refresh"):
            bar.total = total
        # tqdm counts in `n`: follow the flow's step even across several calls with one bar.
        position = getattr(bar, "n", None)
        if not isinstance(position, (int, float)):
            position = done - 1 if self.last is None else self.last
        self.last = done
        if done > position:
            bar.update(done - position)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{loss:.6g}", refresh=False)

    def finish(self, closing):
        if self.owned or closing == "complete":
            self.bar.close()


def make_progress(progress, label, total=None):
    """True: a ProgressBar; False/None: none; an object with update(done, total, loss) and finish(text): itself; an
    object with update(n) and close() (a tqdm bar): driven by steps; a callable such as tqdm.tqdm: called with
    total= and desc= for a bar of its own."""
    if progress is True:
        return ProgressBar(label)
    if progress is None or progress is False:
        return None
    if isinstance(progress, type) or (callable(progress) and not hasattr(progress, "update")):
        bar = progress(total=total, desc=label)
        if hasattr(bar, "update") and hasattr(bar, "close"):
            return _UpdateCloseBar(bar, owned=True)
        progress = bar
    if hasattr(progress, "update") and hasattr(progress, "finish"):
        return progress
    if hasattr(progress, "update") and hasattr(progress, "close"):
        return _UpdateCloseBar(progress, owned=False)
    raise TypeError("progress: True, False, a tqdm bar (or any object with update(n) and close()), tqdm.tqdm itself, "
                    "or an object with update(done, total, loss) and finish(text)")
