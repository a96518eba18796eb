"""save_last oracle: replays traces through a real Lightning ModelCheckpoint(save_top_k=k, save_last=True).

stdin: [{"mode": "min" | "max", "k": int, "values": ["0.25", "nan", ...]}, ...]
stdout (last line): {"missing": reason or null, "version": str, "runs": [[{"top": [epochs of the top-k files],
                     "last": epoch that last.ckpt holds, or null}, ... one per epoch], ...]}

A real Trainer (CPU, one batch per epoch) whose validation logs the trace's value for that epoch; after each of
ModelCheckpoint's decisions (at train epoch end), the top-k .ckpt files on disk and the epoch stored in last.ckpt.
"""
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")


def runs(traces):
    import torch
    import lightning
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import ModelCheckpoint

    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    logging.getLogger("lightning.fabric").setLevel(logging.ERROR)
    torch.set_num_threads(1)

    class Trace(pl.LightningModule):
        def __init__(self, values):
            super().__init__()
            self.values = values
            self.layer = torch.nn.Linear(1, 1)

        def training_step(self, batch, _):
            return self.layer(batch[0]).sum()

        def validation_step(self, batch, _):
            self.log("m", self.values[self.current_epoch])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.0)

        def loader(self):
            return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(1, 1)), batch_size=1)

        train_dataloader = loader
        val_dataloader = loader

    class Listed(ModelCheckpoint):
        """Lightning's ModelCheckpoint, unchanged, listing its files after each of its decisions."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        def on_train_epoch_end(self, trainer, pl_module):
            super().on_train_epoch_end(trainer, pl_module)
            names = os.listdir(self.dirpath) if os.path.isdir(self.dirpath) else []
            top = sorted(int(m.group(1)) for m in (re.fullmatch(r"epoch=(\d+)\.ckpt", n) for n in names) if m)
            last = os.path.join(self.dirpath, "last.ckpt")
            held = torch.load(last, weights_only=False)["epoch"] if os.path.exists(last) else None
            self.seen.append({"top": top, "last": held})

    out = []
    for trace in traces:
        directory = tempfile.mkdtemp(prefix="ckpt-lightning-last-")
        try:
            values = [float(v) for v in trace["values"]]
            checkpoint = Listed(
                dirpath=directory, filename="{epoch}", monitor="m", mode=trace["mode"], save_top_k=trace["k"], save_last=True
            )
            trainer = pl.Trainer(
                max_epochs=len(values),
                callbacks=[checkpoint],
                logger=False,
                enable_progress_bar=False,
                enable_model_summary=False,
                num_sanity_val_steps=0,
                accelerator="cpu",
                devices=1,
                limit_train_batches=1,
                limit_val_batches=1,
            )
            trainer.fit(Trace(values))
            out.append(checkpoint.seen)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return lightning.__version__, out


def main():
    traces = json.load(sys.stdin)
    try:
        version, out = runs(traces)
        result = {"missing": None, "version": version, "runs": out}
    except ImportError as e:
        result = {"missing": f"{type(e).__name__}: {e}", "version": None, "runs": []}
    sys.stdout.flush()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
