"""Running the commands that the README's and docs/' output blocks show, as a reader would.

How each command is run: from a fresh temporary folder (so relative paths in the command land
there), headless (MPLBACKEND=Agg), unbuffered so that stdout and stderr interleave as on a terminal.
The test adds only flags that change where files go, and in the output writes those paths back as
the defaults they replace (figures/, data/, data/model.npz beside the lessons), and the project
folder as README_HOME:
- `--figures-dir TMP`, unless the command names its own folder;
- a file of the course that the command names (`--data docs/points-example.csv`) is copied into the
  temporary folder at the same relative path;
- for 06a: `--data-dir` the real MNIST (the shared_mnist fixture);
- for 05: `--data-dir` the real MNIST (the shared_mnist fixture), or an empty folder when the
  command downloads from 127.0.0.1; `--model TMP` for a training run; for `--predict`, `--model`
  the model of the default run (`python 05_train_mnist.py`, run once for the whole module).
Mirrors on 127.0.0.1 are MirrorServers (tests/mnist_server.py) serving the real MNIST in the mode
README_MIRRORS gives for the README's port; MNIST_MIRRORS points at a closed loopback port, so no
command can reach the internet. Pictures for --predict are drawn by PICTURES.

A `python -m pytest ... --lessons-dir my-exercises` command runs in the project folder, against a
my-exercises/ made for it in a temporary folder inside the course by MY_EXERCISES: a fresh copy of
exercises/, or the lessons solved with one mistake planted, as the page's text describes.
"""
import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from helpers import LESSONS, REPO, forget_hidden_slope, upscale
from mnist_server import MirrorServer
from support.mnist import load_mnist

README_HOME = "/home/me/nn-tutorial"     # the project folder as the README writes it
DEFAULT_RUN = "python 05_train_mnist.py"
MNIST_LESSONS = {"05_train_mnist.py", "06a_when_training_fails.py", "06b_the_cures.py"}
README_MIRRORS = {"8001": "404", "8002": "ok", "8003": "html"}   # README port -> MirrorServer mode
# --------------------------------------------------------------------------------------------------
# Running a README command
# --------------------------------------------------------------------------------------------------
def my_seven_picture(path, shared_mnist):
    """The --predict example's picture: MNIST's first test digit (a 7) in blue ink on cream paper,
    400 x 300 pixels, a shadow darkening the page towards the left, and a little camera noise."""
    _, (x_test, _) = load_mnist(shared_mnist)
    ink = np.zeros((300, 400))
    ink[50:250, 160:360] = upscale(x_test[0] / 255.0, 200, 200)
    paper = np.array([245, 238, 220]) / 255 * (0.7 + 0.3 * np.linspace(0, 1, 400))[None, :, None]
    blue = np.array([25, 40, 130]) / 255
    page = paper * (1 - ink[..., None]) + blue * ink[..., None]
    page += np.random.default_rng(0).normal(0, 0.02, page.shape)
    from matplotlib.image import imsave   # here, so that only this picture needs matplotlib
    imsave(path, np.clip(page, 0, 1))


PICTURES = {"my_seven.png": my_seven_picture}


def fresh_exercises(folder):
    shutil.copytree(REPO / "exercises", folder)


def forgot_sigma_prime_in_04b(folder):
    """The lessons solved (tools/make_exercises.py --solved 05), and in 04b's backward_from the
    delta sent back to a hidden layer without its · σ'(z) = a (1 - a)."""
    subprocess.run([sys.executable, str(REPO / "tools" / "make_exercises.py"), "--solved", "05",
                    str(folder)], check=True, capture_output=True)
    forget_hidden_slope(folder)


# The my-exercises/ each pytest command of a page runs against, by a word the command contains.
MY_EXERCISES = {"test_01_single_neuron": fresh_exercises,
                "test_04b_backprop_network": forgot_sigma_prime_in_04b}


class Runner:
    """Runs the pages' commands as the module docstring says; each command once per session."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.outputs, self.models, self.raw = {}, {}, {}

    def output(self, command, shared_mnist=None):
        """What `command` prints, with the paths the test chose written as the page writes them."""
        if command not in self.outputs:
            self.outputs[command] = self.run(command, shared_mnist)
        return self.outputs[command]

    def raw_output(self, command, shared_mnist=None):
        """(what `command` printed, as printed; the temporary folder it ran in)."""
        self.output(command, shared_mnist)
        return self.raw[command]

    def run(self, command, shared_mnist):
        words = shlex.split(command)
        if words[:3] == ["python", "-m", "pytest"]:
            return self.run_pytest(command, words)
        assert len(words) >= 2 and words[0] == "python" and words[1] in LESSONS, \
            f"`$ {command}`: an output block must run a lesson, `python LESSON.py ...`"
        script, args = words[1], words[2:]
        work = self.tmp_path_factory.mktemp("readme_run")
        extra, stands_for = [], []          # stands_for: [(path the test chose, the default)]

        def add(flag, path, default):
            extra.extend([flag, str(path)])
            stands_for.append((str(path), str(default)))

        if "--figures-dir" not in args:
            add("--figures-dir", work / "figures", REPO / "figures")
        for name in args:                    # a course file it reads: docs/points-example.csv
            if not name.startswith("-") and (REPO / name).is_file():
                (work / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(REPO / name, work / name)
        servers = []
        if script == "06a_when_training_fails.py":
            assert shared_mnist is not None
            add("--data-dir", shared_mnist, REPO / "data")
        if script == "05_train_mnist.py":
            assert shared_mnist is not None
            if "--predict" in args:
                if "--model" not in args:
                    self.output(DEFAULT_RUN, shared_mnist)
                    add("--model", self.models[DEFAULT_RUN], REPO / "data" / "model.npz")
                for name in args:
                    if name in PICTURES:
                        PICTURES[name](work / name, shared_mnist)
            elif "127.0.0.1" in command:
                add("--data-dir", work / "data", REPO / "data")
                for port in sorted(set(re.findall(r"127\.0\.0\.1:(\d+)", command))):
                    assert port in README_MIRRORS, f"`$ {command}`: no mirror for port {port}"
                    servers.append((port, MirrorServer(shared_mnist, README_MIRRORS[port])))
            else:
                add("--data-dir", shared_mnist, REPO / "data")
                if "--model" not in args:
                    add("--model", work / "model.npz", REPO / "data" / "model.npz")
                    self.models[command] = work / "model.npz"
        elif script in MNIST_LESSONS:       # 06a, 06b: the real MNIST, and a model of their own
            add("--data-dir", shared_mnist, REPO / "data")
            if script == "06b_the_cures.py" and "--model" not in args:
                add("--model", work / "model_06b.npz", REPO / "data" / "model_06b.npz")
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1",
                   MNIST_MIRRORS="http://127.0.0.1:9/")
        with contextlib.ExitStack() as running:
            for port, server in servers:
                real_port = running.enter_context(server).url.split(":")[2].split("/")[0]
                args = [a.replace(f"127.0.0.1:{port}", f"127.0.0.1:{real_port}") for a in args]
            result = subprocess.run([sys.executable, str(REPO / script), *args, *extra], cwd=work,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, encoding="utf-8", errors="replace", timeout=300)
        output = result.stdout
        self.raw[command] = (output, work)
        return self.as_the_page_writes(output, stands_for)

    def run_pytest(self, command, words):
        """A pytest command against my-exercises/, made for it as MY_EXERCISES says."""
        setups = [setup for word, setup in MY_EXERCISES.items() if word in command]
        assert "--lessons-dir" in words and words[words.index("--lessons-dir") + 1] == \
            "my-exercises" and len(setups) == 1, f"`$ {command}`: no my-exercises/ for it"
        folder = Path(tempfile.mkdtemp(dir=REPO / "tests", prefix=".my-exercises-"))
        try:
            setups[0](folder / "my-exercises")
            args = [str(folder / "my-exercises") if word == "my-exercises" else word
                    for word in words[3:]]
            result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                                     *args], cwd=REPO, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                    errors="replace", timeout=300,
                                    env=dict(os.environ, MPLBACKEND="Agg"))
        finally:
            shutil.rmtree(folder)
        self.raw[command] = (result.stdout, None)
        return self.as_the_page_writes(result.stdout.replace(str(folder / "my-exercises"),
                                                             "my-exercises"), [])

    def as_the_page_writes(self, output, stands_for):
        """The paths the test chose written back as the defaults they stand for, and the project
        folder as README_HOME."""
        for chosen, default in sorted(stands_for, key=lambda pair: -len(pair[0])):
            output = output.replace(chosen, default)
        return output.replace(str(REPO), README_HOME)


def run_block_command(block, runner, request):
    needs_mnist = shlex.split(block.command)[1] in MNIST_LESSONS
    shared_mnist = request.getfixturevalue("shared_mnist") if needs_mnist else None
    return runner.output(block.command, shared_mnist)
