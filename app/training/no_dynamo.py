"""Training without torch._dynamo, which LayerLab never uses and which took 2.0-3.0 s to
import here (sympy included) in every process that trains, before its first step.

Three things in torch import it. `Optimizer.step` is wrapped in profiling hooks and in
`_use_grad`, which imports it at the first step; with the hooks, that costs every step
about 30 us more (record_function alone 22 us). `zero_grad`, `add_param_group`,
`state_dict` and `load_state_dict` are wrapped in `torch._disable_dynamo`, which imports it
at their first call. `torch.use_deterministic_algorithms` imports torch._inductor's config
at every call. LayerLab never compiles, registers no optimizer hooks and never
differentiates through an update, so it calls the updates as written (under no_grad, as
`_use_grad` would), tells the `_disable_dynamo` wrappers that their function is its own
"disabled" one, and sets the deterministic flag only when it changes. A torch whose
optimizers are not wrapped this way is simply called as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

GUARDED = ("zero_grad", "add_param_group", "state_dict", "load_state_dict")


def skip_dynamo_guards() -> None:
    """Before an optimizer is made: hand each guarded Optimizer method its own function
    (the attribute torch/_compile.py reads before importing dynamo)."""
    for name in GUARDED:
        method = getattr(torch.optim.Optimizer, name, None)
        original = getattr(method, "__wrapped__", None)
        if original is not None and getattr(original, "__dynamo_disable", None) is None:
            setattr(original, "__dynamo_disable", original)


def plain_step(optimizer: torch.optim.Optimizer) -> Callable[[], None]:
    """A call that runs `optimizer`'s update as `optimizer.step()` would, without its
    wrappers; `optimizer.step` itself for a differentiable optimizer."""
    update = type(optimizer).step
    while hasattr(update, "__wrapped__"):
        update = update.__wrapped__
    if update is type(optimizer).step or optimizer.defaults.get("differentiable"):
        return optimizer.step

    def step() -> None:
        with torch.no_grad():
            update(optimizer)

    return step


def clear_gradients(optimizer: torch.optim.Optimizer) -> None:
    """`optimizer.zero_grad(set_to_none=True)`, as written."""
    for group in optimizer.param_groups:
        for parameter in group["params"]:
            parameter.grad = None


def set_deterministic(mode: bool) -> None:
    """`torch.use_deterministic_algorithms(mode)`, called only when it changes the setting."""
    if torch.are_deterministic_algorithms_enabled() != mode:
        torch.use_deterministic_algorithms(mode)
