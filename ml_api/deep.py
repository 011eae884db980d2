"""DEEP mode: fine-tune backbone + new head with augmentation, AdamW + cosine schedule,
bf16 autocast and channels_last on CUDA, a checkpoint to storage after every epoch and
resume from it (torchvision references/classification/train.py style)."""

from __future__ import annotations

import logging
import time

import torch
from torch import nn

from pictolab.contract.storage_keys import checkpoint_key
from pictolab.storage import ObjectNotFound

from .backbones import get_spec
from .checkpoint import BackgroundCheckpointWriter, load_object
from .data import ImageMissing, load_image, present_examples
from .device import memory_format
from .engine import train_one_epoch
from .interrupts import JobInterrupted
from .models import DeepClassifier, save_deep_model
from .presets import get_preset
from .timing import PhaseTimer

log = logging.getLogger(__name__)

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


def train_deep(job) -> dict:
    request = job.request
    storage, device = job.storage, job.device
    spec = get_spec(request.backbone)
    preset = get_preset(spec.preset, request.image_size)
    timer = PhaseTimer()
    ckpt_key = checkpoint_key(request.run_id)

    with timer.phase("decode"):
        # Decoded at twice the crop size: RandomResizedCrop zooms in.
        images, missing = [], []
        for index, e in enumerate(request.examples):
            try:
                images.append(load_image(storage, e.uri, e.key, min_size=2 * preset.size,
                                         max_pixels=job.max_image_pixels))
            except ImageMissing:  # deleted after the run was requested: skipped, not a failure
                missing.append(index)
        labels = [request.classes.index(e.label) for e in present_examples(request, missing)]

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
            "timings": timer.as_dict(), "epochs_run": epochs_run, "skipped": len(missing)}
