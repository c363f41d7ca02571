"""Type stubs of the ual package (the documentation is in the docstrings of ual/__init__.py and its modules)."""
import os
from typing import Any, Dict, List, Optional, Union

import numpy

from . import fp8 as fp8
from . import sim as sim
from ._optimizer import ModelOptimizer as ModelOptimizer
from ._optimizer import ModelOptimizerAgent as ModelOptimizerAgent
from ._optimizer import fastflowlm_models as fastflowlm_models
from ._optimizer import get_fastflow_command as get_fastflow_command
from ._ual import Error as Error
from ._ual import InternalError as InternalError
from ._ual import InvalidArgumentError as InvalidArgumentError
from ._ual import IoError as IoError
from ._ual import NotFoundError as NotFoundError
from ._ual import ParseError as ParseError
from ._ual import UnavailableError as UnavailableError

PathLike = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
__version__: str

def devices(sysroot: Optional[PathLike] = None, compute: bool = True, refresh: bool = False) -> Dict[str, Any]: ...
def plan(model: PathLike, objective: str = "latency", sysroot: Optional[PathLike] = None, input_len: int = 1024,
         output_len: int = 256, port: int = 0, host: str = "127.0.0.1", nodes: int = 1, context_length: int = 0,
         head_address: str = "") -> Dict[str, Any]: ...
def gemm(a: numpy.ndarray, b: numpy.ndarray, device: str = "auto", transpose_a: bool = False,
         transpose_b: bool = False, alpha: float = 1.0, policy: str = "max_performance") -> numpy.ndarray: ...
def compute_devices() -> List[Dict[str, Any]]: ...
def select_device(m: int, n: int, k: int, dtype: Any = ..., policy: str = "max_performance") -> Dict[str, Any]: ...
