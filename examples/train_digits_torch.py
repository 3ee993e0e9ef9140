"""The twin of examples/train_digits.py, with real PyTorch: only the imports differ.

    .venv/bin/python examples/train_digits_torch.py
"""

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

torch.manual_seed(0)

# 1797 8x8 images of the digits 0-9; pixel values 0..16 scaled to [0, 1].
digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
order = np.random.default_rng(0).permutation(len(y))  # a fixed train/test split
test_idx, train_idx = order[:360], order[360:]
X_train, y_train = X[torch.tensor(train_idx)], y[torch.tensor(train_idx)]
X_test, y_test = X[torch.tensor(test_idx)], y[torch.tensor(test_idx)]

model = nn.Sequential(
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
)
print(model)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

batch_size, epochs = 64, 15
shuffle = np.random.default_rng(1)
for epoch in range(1, epochs + 1):
    model.train()
    total, seen = 0.0, 0
    perm = shuffle.permutation(len(train_idx))  # a new batch order every epoch
    for start in range(0, len(perm), batch_size):
        batch = torch.tensor(perm[start:start + batch_size])
        xb, yb = X_train[batch], y_train[batch]
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        seen += len(yb)
    model.eval()
    with torch.no_grad():
        accuracy = (model(X_test).argmax(dim=1) == y_test).float().mean().item()
    print(f"epoch {epoch:2d}  train loss {total / seen:.4f}  test accuracy {accuracy:.2%}")
