# Type stubs of wowflow.torch (needs PyTorch).
from typing import Any, Mapping, Optional, Tuple, Union

import torch
from numpy.typing import ArrayLike

TensorDataset = Union[torch.Tensor, Tuple[Union[torch.Tensor, ArrayLike], Any]]

def sliced_wasserstein(x: Union[torch.Tensor, ArrayLike], y: Union[torch.Tensor, ArrayLike], projections: int = ...,
                       p: float = ..., seed: int = ..., directions: Optional[Union[torch.Tensor, ArrayLike]] = ...,
                       a: Optional[Union[torch.Tensor, ArrayLike]] = ..., b: Optional[Union[torch.Tensor, ArrayLike]] = ...,
                       kind: str = ..., threads: Optional[int] = ...) -> torch.Tensor: ...
def mmd(X: TensorDataset, Y: TensorDataset, kernel: Union[str, Mapping[str, Any]] = ...,
        kernel_params: Optional[Mapping[str, Any]] = ..., projections: int = ..., estimator: str = ...,
        quantiles: int = ..., directions: str = ..., seed: int = ..., threads: Optional[int] = ...) -> torch.Tensor: ...
