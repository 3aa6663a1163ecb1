"""A progress bar for the commands that read outside services (on standard error)."""

from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def bar(description, unit, stream):
    """A `progress(done, total)` callback drawing a bar on `stream` while it is used."""
    with tqdm(desc=description, unit=unit, file=stream, total=0, leave=True) as shown:

        def progress(done, total):
            if total != shown.total:
                shown.total = total
                shown.refresh()
            shown.update(done - shown.n)

        yield progress
