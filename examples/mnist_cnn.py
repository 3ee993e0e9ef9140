"""pytorch/examples' MNIST CNN, on scikit-learn's 8x8 digits -- with minitorch, written as PyTorch.

    .venv/bin/python examples/mnist_cnn.py [--epochs 14] [--dry-run] [--save-model]

This is pytorch/examples' mnist/main.py (two convolutions, max-pooling, dropout, two
fully connected layers, log_softmax + nll_loss, Adadelta with a StepLR schedule, separate
train and test loops) with two changes: the data are scikit-learn's 1797 8x8 digits (no
download) wrapped in a TensorDataset, so fc1 sees 64*2*2 features instead of 9216, and there
is no CUDA device. Its twin, examples/mnist_cnn_torch.py, is this file with the imports
changed to real torch. parity/training_runs.py imports `Net` from both files and trains them
step by step from identical weights.
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits

import minitorch as torch
import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.optim as optim
from minitorch.optim.lr_scheduler import StepLR
from minitorch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(256, 128)  # 64 channels x 2 x 2 after an 8x8 input
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)} "
                  f"({100. * batch_idx / len(train_loader):.0f}%)]\tLoss: {loss.item():.6f}")
            if args.dry_run:
                break


def test(model, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/"
          f"{len(test_loader.dataset)} ({100. * correct / len(test_loader.dataset):.0f}%)\n")
    return correct


def digits_datasets():
    """scikit-learn's digits as (N, 1, 8, 8) images in [0, 1]: 1437 to train, 360 to test."""
    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(digits.target, dtype=torch.long)
    order = np.random.default_rng(0).permutation(len(labels))  # a fixed split
    test_idx, train_idx = torch.tensor(order[:360]), torch.tensor(order[360:])
    return (TensorDataset(images[train_idx], labels[train_idx]),
            TensorDataset(images[test_idx], labels[test_idx]))


def main():
    parser = argparse.ArgumentParser(description="PyTorch MNIST Example (8x8 digits)")
    parser.add_argument("--batch-size", type=int, default=64, metavar="N",
                        help="input batch size for training (default: 64)")
    parser.add_argument("--test-batch-size", type=int, default=1000, metavar="N",
                        help="input batch size for testing (default: 1000)")
    parser.add_argument("--epochs", type=int, default=14, metavar="N",
                        help="number of epochs to train (default: 14)")
    parser.add_argument("--lr", type=float, default=1.0, metavar="LR",
                        help="learning rate (default: 1.0)")
    parser.add_argument("--gamma", type=float, default=0.7, metavar="M",
                        help="Learning rate step gamma (default: 0.7)")
    parser.add_argument("--dry-run", action="store_true",
                        help="quickly check a single pass")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="random seed (default: 1)")
    parser.add_argument("--log-interval", type=int, default=10, metavar="N",
                        help="how many batches to wait before logging training status")
    parser.add_argument("--save-model", action="store_true",
                        help="save the trained model to mnist_cnn.pt and test it reloaded")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    train_set, test_set = digits_datasets()
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size)

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        correct = test(model, test_loader)
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")
        reloaded = Net()
        reloaded.load_state_dict(torch.load("mnist_cnn.pt"))
        print("Reloaded from mnist_cnn.pt:")
        assert test(reloaded, test_loader) == correct, "the reloaded model scores differently"


if __name__ == "__main__":
    main()
