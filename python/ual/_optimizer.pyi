"""Type stubs of the seed's names (ual.ModelOptimizer, ual.get_fastflow_command)."""
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

FASTFLOWLM_NPU: str
H100_FP8: str
MI300_FP8: str
GPU_BF16: str
OFFLOAD_8BIT: str
OFFLOAD_4BIT: str
CPU_LLAMA_CPP: str

def fastflowlm_models() -> List[Dict[str, Any]]: ...
def get_fastflow_command(model_tag: str, subcommand: str = "run", port: Optional[int] = None,
                         host: Optional[str] = None, ctx_len: Optional[int] = None,
                         pmode: Optional[str] = None) -> str: ...

class ModelOptimizer:
    FASTFLOWLM_NPU: str
    H100_FP8: str
    MI300_FP8: str
    GPU_BF16: str
    OFFLOAD_8BIT: str
    OFFLOAD_4BIT: str
    CPU_LLAMA_CPP: str
    sysroot: Optional[str]
    def __init__(self, sysroot: Optional[str] = None) -> None: ...
    def select_optimization_strategy(self, model_size_gb: float, available_vram_gb: float,
                                     hardware_features: Union[Mapping[str, Any], Iterable[str], None] = None
                                     ) -> str: ...
    def get_fastflow_command(self, model_tag: str, **options: Any) -> str: ...
    def plan(self, model: str, objective: str = "latency", **options: Any) -> Dict[str, Any]: ...
    def strategy_for_model(self, model: str, objective: str = "latency",
                           **options: Any) -> Tuple[str, Dict[str, Any]]: ...

ModelOptimizerAgent = ModelOptimizer
