"""Type stubs of ual.sim."""
from typing import Any, Dict, List, Optional

def infer(model: str, hardware: str, gpus: int = 1, tp: int = 1, pp: int = 1, precision: str = "fp8",
          input_len: int = 1024, output_len: int = 256, batch: Optional[int] = None,
          request_rate: Optional[float] = None, num_requests: int = 0, kv_cache: Optional[str] = None,
          max_batch: int = 0, max_num_tokens: int = 0, kv_cache_fraction: float = 0.0,
          device_memory_gb: float = 0.0, seed: int = 1) -> Dict[str, Any]: ...
def partition(model: str, hardware: str, gpus: int = 8, precision: str = "fp8", input_len: int = 1024,
              output_len: int = 256, objective: str = "throughput", max_tpot_ms: float = 0.0,
              max_ttft_ms: float = 0.0, kv_cache: Optional[str] = None, max_batch: int = 0,
              max_results: int = 10) -> Dict[str, Any]: ...
def hardware_ids() -> List[str]: ...
def model_ids() -> List[str]: ...
