"""Type stubs of the extension module (the library's bridge; see biasbench/__init__.py)."""

from os import PathLike
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

__version__: str

class BiasbenchError(ValueError):
    """An input or option biasbench refuses; the message is the command line's."""

class Report:
    def render(self, format: str, full: bool = False) -> str: ...
    def save(self, dir: Union[str, PathLike[str]], full: bool = False) -> List[PathLike[str]]: ...

_Column = Tuple[str, np.ndarray, Optional[List[str]]]

def run(
    line: Sequence[str], name: str, columns: Sequence[_Column], plan: Optional[bytes] = None
) -> Union[Report, bytes]: ...
def compare(
    line: Sequence[str], tables: Sequence[Tuple[str, Sequence[_Column]]]
) -> Report: ...
def merge(
    partials: Sequence[bytes], command: Sequence[str], reproducible: bool = False
) -> Tuple[Optional[Report], Optional[bytes]]: ...
def combine(partials: Sequence[bytes]) -> bytes: ...
