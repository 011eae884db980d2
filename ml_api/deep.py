"""DEEP mode: fine-tune backbone + new head with augmentation, AdamW + cosine schedule,
bf16 autocast and channels_last on CUDA, a checkpoint to storage after every epoch and
resume from it (torchvision references/classification/train.py style)."""

from __future__ import annotations

import logging
import random
import time

import torch
from torch import nn

from pictolab.storage import ObjectNotFound

from .backbones import get_spec
from .checkpoint import BackgroundCheckpointWriter, load_object
from .data import load_image
from .device import autocast, memory_format, to_device
from .jobs import JobInterrupted, checkpoint_key
from .models import DeepClassifier, save_deep_model
from .presets import get_preset
from .timing import PhaseTimer

log = logging.getLogger(__name__)

BATCH_SIZE = 16
BACKBONE_LR = 3e-4
HEAD_LR = 3e-3
WEIGHT_DECAY = 0.05
LABEL_SMOOTHING = 0.1


def build_optimizer(model: DeepClassifier, device: torch.device) -> torch.optim.Optimizer:
    # The new head learns faster than the pretrained features it sits on.
    return torch.optim.AdamW([
        {"params": model.features.parameters(), "lr": BACKBONE_LR},
        {"params": model.head.parameters(), "lr": HEAD_LR},
    ], weight_decay=WEIGHT_DECAY, fused=device.type == "cuda")


def train_one_epoch(model, criterion, optimizer, images, labels, transform, device, *,
                    batch_size: int = BATCH_SIZE, should_stop=lambda: False, on_batch=None) -> dict:
    """One pass over the (shuffled) training photos. Returns loss/accuracy and whether it
    stopped early because the process is shutting down (after finishing a whole batch)."""
    model.train()
    order = list(range(len(images)))
    random.shuffle(order)
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if len(batches) > 1 and len(batches[-1]) == 1:  # BatchNorm cannot train on a batch of one
        batches[-2].extend(batches.pop())
    seen = correct = 0
    total_loss = 0.0
    for number, batch_indices in enumerate(batches, 1):
        x = torch.stack([transform(images[i]) for i in batch_indices])
        x = to_device(x, device)
        y = torch.as_tensor([labels[i] for i in batch_indices], device=device)
        with autocast(device):
            logits = model(x)
            loss = criterion(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        seen += len(batch_indices)
        correct += (logits.argmax(1) == y).sum().item()
        total_loss += loss.item() * len(batch_indices)
        if on_batch:
            on_batch(number / len(batches))
        if should_stop() and number < len(batches):
            return {"loss": total_loss / seen, "accuracy": correct / seen, "stopped": True}
    return {"loss": total_loss / max(1, seen), "accuracy": correct / max(1, seen), "stopped": False}


def train_deep(job) -> dict:
    request = job.request
    storage, device = job.storage, job.device
    spec = get_spec(request.backbone)
    preset = get_preset(spec.preset, request.image_size)
    timer = PhaseTimer()
    ckpt_key = checkpoint_key(request.run_id)

    with timer.phase("decode"):
        # Decoded at twice the crop size: RandomResizedCrop zooms in.
        images = [load_image(storage, e.uri, e.key, min_size=2 * preset.size, max_pixels=job.max_image_pixels)
                  for e in request.examples]
        labels = [request.classes.index(e.label) for e in request.examples]

    with timer.phase("load_checkpoint"):
        try:
            checkpoint = load_object(storage, ckpt_key)
        except ObjectNotFound:
            checkpoint = None
    model = DeepClassifier(spec.build(checkpoint is None), spec.feature_dim, len(request.classes))
    model = model.to(device, memory_format=memory_format(device))
    optimizer = build_optimizer(model, device)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=request.epochs)
    start_epoch = 0
    train_accuracy = None
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        start_epoch = int(checkpoint["epoch"])
        train_accuracy = checkpoint.get("trainAccuracy")
        log.info("resuming from checkpoint", extra={"runId": request.run_id, "epoch": start_epoch})
    job.report(resumedFromEpoch=start_epoch if checkpoint is not None else None,
               epochsRun=0, epoch=start_epoch)

    criterion = nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)
    transform = preset.train_transform()

    writer = BackgroundCheckpointWriter(storage)

    def save_checkpoint(epoch: int, partial: bool) -> None:
        with timer.phase("checkpoint"):
            writer.save(ckpt_key, {
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "epoch": epoch, "partial": partial,
                "classes": list(request.classes), "args": request.args(), "trainAccuracy": train_accuracy})

    epochs_run = 0
    for epoch in range(start_epoch, request.epochs):
        started = time.perf_counter()
        with timer.phase("train"):
            stats = train_one_epoch(
                model, criterion, optimizer, images, labels, transform, device,
                should_stop=job.should_stop,
                on_batch=lambda f, e=epoch: job.report(progress=min(0.99, (e + f) / request.epochs)))
        if stats["stopped"]:
            # Mid-epoch: keep the weights learnt so far; the epoch is re-run on resume.
            save_checkpoint(epoch, partial=True)
            writer.flush()
            raise JobInterrupted()
        scheduler.step()
        epochs_run += 1
        train_accuracy = stats["accuracy"]
        save_checkpoint(epoch + 1, partial=False)  # uploads while the next epoch trains
        job.report(epoch=epoch + 1, epochsRun=epochs_run, trainAccuracy=train_accuracy,
                   progress=min(0.99, (epoch + 1) / request.epochs))
        log.info("epoch done", extra={"runId": request.run_id, "epoch": epoch + 1, "loss": stats["loss"],
                                      "trainAccuracy": train_accuracy,
                                      "seconds": round(time.perf_counter() - started, 3)})
        if job.should_stop() and epoch + 1 < request.epochs:
            writer.flush()
            raise JobInterrupted()

    writer.flush()
    with timer.phase("save"):
        key = save_deep_model(storage, request, model, spec, preset.size)
    return {"model_key": key, "train_accuracy": train_accuracy if train_accuracy is not None else 0.0,
            "timings": timer.as_dict(), "epochs_run": epochs_run}
