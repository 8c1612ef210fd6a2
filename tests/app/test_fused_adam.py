"""The engine's direct fused Adam update gives exactly what torch's own step gives."""

import copy

import pytest
import torch

from app.training.fused_adam import direct_step


def twins(seed=0):
    torch.manual_seed(seed)
    first = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    second = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    second.load_state_dict(first.state_dict())
    return first, second


def train(model, step, optimizer, batches, frozen_at=None, new_lr_at=None):
    for index, (x, y) in enumerate(batches):
        if index == new_lr_at:
            optimizer.param_groups[0]["lr"] = 0.003
        for p in model.parameters():
            p.grad = None
        loss = torch.nn.functional.cross_entropy(model(x), y)
        if index == frozen_at:  # a step where one parameter gets no gradient
            model[2].bias.requires_grad_(False)
        loss.backward()
        model[2].bias.requires_grad_(True)
        step()


@pytest.mark.parametrize(
    "make",
    [
        lambda p: torch.optim.Adam(p, lr=0.01, fused=True),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, amsgrad=True, fused=True),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, fused=True),
    ],
    ids=["adam", "adam-amsgrad", "adamw"],
)
def test_the_direct_update_matches_torchs_step_bit_for_bit(make):
    torch.manual_seed(1)
    batches = [(torch.randn(16, 3), torch.randint(0, 2, (16,))) for _ in range(30)]
    standard_model, direct_model = twins()
    standard = make(standard_model.parameters())
    direct = make(direct_model.parameters())
    fast = direct_step(direct, direct.step)
    assert fast is not None
    train(standard_model, standard.step, standard, batches, frozen_at=12, new_lr_at=20)
    train(direct_model, fast, direct, batches, frozen_at=12, new_lr_at=20)
    for a, b in zip(standard_model.parameters(), direct_model.parameters(), strict=True):
        assert torch.equal(a, b)
    saved, ours = standard.state_dict()["state"], direct.state_dict()["state"]
    for key in saved:
        for name, value in saved[key].items():
            assert torch.equal(value, ours[key][name]), (key, name)
    assert float(ours[0]["step"]) == 30 and float(ours[3]["step"]) == 29  # one step frozen
    # The direct update ran: it keeps every step count in one tensor.
    counts = {
        direct.state[p]["step"].untyped_storage().data_ptr() for p in direct_model.parameters()
    }
    assert len(counts) == 1


def test_other_optimizers_keep_their_own_step():
    model, _ = twins()
    assert direct_step(torch.optim.SGD(model.parameters(), lr=0.1), lambda: None) is None
    plain = torch.optim.Adam(model.parameters(), lr=0.1, foreach=False)
    assert direct_step(plain, plain.step) is None


def test_a_loaded_state_is_used_from_the_next_step():
    torch.manual_seed(2)
    batches = [(torch.randn(16, 3), torch.randint(0, 2, (16,))) for _ in range(10)]
    standard_model, direct_model = twins()
    standard = torch.optim.Adam(standard_model.parameters(), lr=0.01, fused=True)
    direct = torch.optim.Adam(direct_model.parameters(), lr=0.01, fused=True)
    fast = direct_step(direct, direct.step)
    train(standard_model, standard.step, standard, batches[:5])
    train(direct_model, fast, direct, batches[:5])
    direct.load_state_dict(copy.deepcopy(standard.state_dict()))  # new tensors: gathered again
    train(standard_model, standard.step, standard, batches[5:])
    train(direct_model, fast, direct, batches[5:])
    for a, b in zip(standard_model.parameters(), direct_model.parameters(), strict=True):
        assert torch.equal(a, b)
