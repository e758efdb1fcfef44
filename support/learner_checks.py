"""What a learner's backward_from got wrong, when its numbers cannot say: it returned something
other than two lists of gradients shaped like the weights and biases, or NumPy refused one of its
products (a W where its transpose belongs, a layer index one off).

    checked_gradients(returned, net)       backward_from's (grad_weights, grad_biases), or a
                                           BackwardMistake saying what came back and what belongs
    check_backward_from(net, rng)          one run of it on a random batch: a BackwardMistake for
                                           either kind of mistake (a lesson run as a script)
    returned_problem(returned, net, name)  the words for what came back, or None
    refusal_problem(error, net, activations, Y)
                                           the words for the ValueError NumPy raised inside it

A refused product is read by running backward_from again, on the same numbers, with the network's
arrays named (W^2, (W^2)^T, a^1, and whatever is computed from one of them alone): NumPy's own
message gives only sizes, and a W^l where (W^l)^T belongs and a W^(l-1) where W^l belongs give the
same ones.
"""
import traceback
from pathlib import Path

import numpy as np

from support.lifecycle import Fatal


class BackwardMistake(Fatal, ValueError):
    """backward_from returned the wrong things, or NumPy refused one of its products: one line on
    stderr in a lesson run as a script, a ValueError to its callers."""


def checked_gradients(returned, net, name="backward_from"):
    """`returned`, what net.backward_from gave, if it is (grad_weights, grad_biases), one array
    per layer in each, shaped as net.weights and net.biases; else a BackwardMistake."""
    problem = returned_problem(returned, net, name) or shape_problem(returned, net, name)
    if problem:
        raise BackwardMistake(problem)
    return returned


def check_backward_from(net, rng, n_samples=6):
    """Run net.backward_from once on a random batch; a BackwardMistake if NumPy refuses one of its
    products or it returns the wrong things. Sizes that differ from each other and from the
    batch's name each array unambiguously."""
    X = rng.normal(size=(n_samples, net.sizes[0]))
    Y = rng.uniform(size=(n_samples, net.sizes[-1]))
    activations = net.forward_all(X)
    try:
        returned = net.backward_from(activations, Y)
    except ValueError as error:
        raise BackwardMistake(refusal_problem(error, net, activations, Y)) from None
    checked_gradients(returned, net)


def returned_problem(returned, net, name="backward_from"):
    """Why `returned` is not two lists of one array per layer, in words; None if it is."""
    n = len(net.weights)
    if (isinstance(returned, (tuple, list)) and len(returned) == 2
            and all(isinstance(part, (tuple, list)) and len(part) == n for part in returned)):
        return None
    return (f"{name} returned {described(returned)}; it must return two lists, grad_weights and "
            f"grad_biases, one array per layer: {n} each for sizes {list(net.sizes)}")


def shape_problem(returned, net, name="backward_from"):
    """Which arrays of (grad_weights, grad_biases) are not shaped as their parameters; None if all
    are."""
    wrong = [f"{kind}[{i}] shaped {np.shape(g)}, expected {p.shape}, the shape of "
             f"{parameters}[{i}]" + (" (rows and columns swapped)" if np.shape(g) == p.shape[::-1]
                                     else "")
             for kind, parameters, grads in (("grad_weights", "weights", returned[0]),
                                             ("grad_biases", "biases", returned[1]))
             for i, (g, p) in enumerate(zip(grads, getattr(net, parameters)))
             if np.shape(g) != p.shape]
    return f"{name} returned {'; '.join(wrong)}" if wrong else None


def described(value):
    """What a value is, in a few words: None, an array shaped (7, 2), a tuple of 2 (a list of 2,
    a list of 3)."""
    if isinstance(value, np.ndarray):
        return f"an array shaped {value.shape}"
    if isinstance(value, (tuple, list)):
        kind = type(value).__name__
        if isinstance(value, tuple) or len(value) <= 3:
            parts = [f"a {type(v).__name__} of {len(v)}" if isinstance(v, (tuple, list))
                     else described(v) for v in value[:3]]
            return f"a {kind} of {len(value)} ({', '.join(parts)}{', ...' * (len(value) > 3)})"
        return f"a {kind} of {len(value)}"
    return "None" if value is None else f"a {type(value).__name__}"


# ==================================================================================================
# A product NumPy refused
# ==================================================================================================
def refusal_problem(error, net, activations, Y, name="backward_from"):
    """One line for the ValueError that net.backward_from(activations, Y) raised: where, and what
    mistake the arrays that met show, or NumPy's own words with those arrays' names and shapes."""
    where = raised_at(error)
    operation, operands = refused_operation(net, activations, Y) or (None, [])
    what = mistake_shown(operation, operands, net.sizes) or (
        f"NumPy: {str(error).strip()}"
        + (f" (the arrays: {', '.join(map(operand_text, operands))})" if operands else ""))
    return f"{name} failed{where}: {what}"


def raised_at(error):
    """" at FILE, line N (the code)" for the innermost line of the learner's (not NumPy's, not
    this module's) that an error passed through; "" if there is none."""
    skipped = (Path(np.__file__).parent, Path(__file__).parent)
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not any(folder in Path(frame.filename).parents for folder in skipped)]
    if not frames:
        return ""
    frame = frames[-1]
    code = (frame.line or "").split("#")[0].strip()                 # without its comment
    return f" at {Path(frame.filename).name}, line {frame.lineno} ({code})"


def refused_operation(net, activations, Y):
    """(the ufunc's name, [(name, source, shape)] of its arrays) of the operation NumPy refuses
    when backward_from runs again on named arrays (see Named); None if none is refused."""
    weights = net.weights
    net.weights = [Named.of(W, f"W^{l}") for l, W in enumerate(weights, start=1)]
    try:
        net.backward_from([Named.of(a, f"a^{l}") for l, a in enumerate(activations)], Y)
    except ValueError as error:
        return getattr(error, "refused", None)
    except Exception:          # named arrays that the learner's code cannot use: nothing to read
        return None
    finally:
        net.weights = weights
    return None


def mistake_shown(operation, operands, sizes):
    """The likely mistake, in words, when the arrays NumPy refused to combine show one; else None.

    delta^l is (N, n_l), one column per neuron of layer l: its width says whose delta it is, when
    only one layer has that many neurons. It goes back through (W^l)^T, and meets σ' taken at
    a^(l-1), one layer down.
    """
    if len(operands) != 2:
        return None
    (name_1, source_1, shape_1), (name_2, source_2, shape_2) = operands
    product = operation == "matmul"
    if product and name_1 is None and name_2 and name_2.startswith("W^"):
        layer = int(name_2[2:])
        return (f"delta {shape_1} @ {name_2} {shape_2}: sending delta back needs the transpose, "
                f"delta^l @ (W^l)^T: here (W^{layer})^T, weights[{layer - 1}].T")
    layer = whose_delta(shape_1, sizes)
    if product and name_1 is None and name_2 and name_2.startswith("(W^") and layer is not None:
        used = int(name_2[3:-3])
        return (f"delta {shape_1} @ {name_2} {shape_2}: this delta has {shape_1[-1]} columns, "
                f"it is delta^{layer}, which goes back through (W^{layer})^T = "
                f"weights[{layer - 1}].T; weights[{used - 1}] is {off_by(used - layer)}")
    for (name, source, shape), other in ((operands[0], operands[1]), (operands[1], operands[0])):
        layer = whose_delta(other[2], sizes)
        if source and source.startswith("a^") and other[1] is None and layer is not None:
            used = int(source[2:])
            return (f"{name or 'an array computed from ' + source} {shape} meets delta "
                    f"{other[2]}: this delta has {other[2][-1]} columns, it is delta^{layer}, "
                    f"whose σ'(z^{layer}) = a^{layer}(1 - a^{layer}) takes a^{layer} = "
                    f"activations[{layer}]; activations[{used}] is {off_by(used - layer)}")
    return None


def whose_delta(shape, sizes):
    """The layer l (1 to L) whose delta^l has this shape's width, if only one has; else None."""
    layers = [l for l, n in enumerate(sizes) if l > 0 and len(shape) == 2 and n == shape[1]]
    return layers[0] if len(layers) == 1 else None


def off_by(steps):
    """An index `steps` from the right one, in words, with the usual slip as an example."""
    if steps == -1:
        return "one layer too far down (e.g. [l - 1] where [l] belongs)"
    if steps == 1:
        return "one layer too far up (e.g. [l + 1] where [l] belongs)"
    return f"{abs(steps)} layers too far {'down' if steps < 0 else 'up'}"


def operand_text(operand):
    name, source, shape = operand
    return f"{name or ('an array from ' + source if source else 'an array')} {shape}"


class Named(np.ndarray):
    """An array of the network that knows its name (W^2, a^1, (W^2)^T after .T), so that an
    operation NumPy refuses can say which arrays met. An array computed from one named array alone
    (a^1 (1 - a^1), from a^1) keeps its source; one computed from several (delta @ W^T) has none.
    A ValueError from NumPy leaves with `refused`: the ufunc's name and [(name, source, shape)] of
    the arrays given."""

    @classmethod
    def of(cls, array, name):
        named = np.asarray(array).view(cls)
        named.name, named.source = name, name
        return named

    def __array_finalize__(self, obj):
        self.name = None
        self.source = getattr(obj, "source", None)

    @property
    def T(self):
        return self.transpose()

    def transpose(self, *axes):
        flipped = np.asarray(self).transpose(*axes).view(Named)
        flipped.source = self.source
        flipped.name = f"({self.name})^T" if self.name and not axes else None
        return flipped

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        outputs = kwargs.get("out")                      # delta *= ... writes into delta
        if outputs:
            kwargs["out"] = tuple(plain(x) for x in outputs)
        try:
            result = getattr(ufunc, method)(*(plain(x) for x in inputs), **kwargs)
        except ValueError as error:
            error.refused = ufunc.__name__, [(x.name, x.source, x.shape) if isinstance(x, Named)
                                             else (None, None, np.shape(x)) for x in inputs]
            raise
        if outputs:
            return outputs[0] if len(outputs) == 1 else outputs
        if not isinstance(result, np.ndarray):
            return result
        sources = {x.source for x in inputs if isinstance(x, Named)}
        named = result.view(Named)
        named.source = sources.pop() if len(sources) == 1 else None
        return named


def plain(x):
    """A Named array as a plain ndarray (the same memory); anything else as it is."""
    return np.asarray(x) if isinstance(x, Named) else x
