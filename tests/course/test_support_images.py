"""support/images.py: a picture file read as grey levels, whatever its format, and refused with one
clear message when it cannot be used."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import write_png  # noqa: E402
from support.images import ImageError, read_image  # noqa: E402


# --------------------------------------------------------------------------------------------------
# Image formats
# --------------------------------------------------------------------------------------------------
def test_16_bit_png_is_read_at_full_precision(tmp_path):
    values = np.array([[0, 1, 32768, 65535]], np.uint16)
    write_png(tmp_path / "g16.png", values)
    gray = read_image(tmp_path / "g16.png")
    assert gray.dtype == np.float32 and gray.shape == (1, 4)
    np.testing.assert_allclose(gray, values / 65535, atol=1e-7)      # 1/65535 is not rounded to 0


def test_16_bit_integers_are_scaled_by_65535_not_255(tmp_path):
    """A 16-bit grey TIFF comes back from the decoder (Pillow) as uint16 integers, not as the
    floats a PNG comes back as: 65535 is white."""
    from PIL import Image                  # matplotlib's own decoder for all but PNG
    values = np.array([[0, 255, 32768, 65535]] * 8, np.uint16)
    Image.fromarray(values).save(tmp_path / "g16.tif")
    gray = read_image(tmp_path / "g16.tif")
    assert gray.dtype == np.float32 and gray.shape == (8, 4)
    np.testing.assert_allclose(gray[0], values[0] / 65535, atol=1e-7)


def test_transparency_is_painted_on_white_paper(tmp_path):
    rgba = np.zeros((4, 4, 4))                                     # fully transparent black = paper
    rgba[1, 1] = [0, 0, 0, 1]                                      # opaque black
    rgba[2, 2] = [1, 0, 0, 0.5]                                    # half-transparent red
    plt.imsave(tmp_path / "rgba.png", rgba)
    gray = read_image(tmp_path / "rgba.png")
    assert gray[0, 0] == pytest.approx(1.0) and gray[1, 1] == pytest.approx(0.0)
    assert gray[2, 2] == pytest.approx(0.5 * 0.299 + 0.5, abs=0.01)
    write_png(tmp_path / "la.png", np.zeros((3, 3), np.uint8),
              alpha=np.array([[0, 255, 0]] * 3, np.uint8))
    # grey + alpha
    np.testing.assert_allclose(read_image(tmp_path / "la.png"), [[1, 0, 1]] * 3)


def test_jpeg_bytes_in_a_png_name_are_read(tmp_path):
    plt.imsave(tmp_path / "photo.png", np.ones((30, 20, 3)), format="jpg")
    assert read_image(tmp_path / "photo.png").shape == (30, 20)


# --------------------------------------------------------------------------------------------------
# Pictures too large to read: refused, before decoding where the format allows
# --------------------------------------------------------------------------------------------------
def test_huge_png_is_refused_before_decoding(tmp_path, monkeypatch):
    write_png(tmp_path / "huge.png", np.zeros((4000, 5000), np.uint8))
    import matplotlib.image

    def must_not_decode(*args, **kwargs):
        raise AssertionError("a too-large image was decoded")
    monkeypatch.setattr(matplotlib.image, "imread", must_not_decode)
    with pytest.raises(ImageError, match="5000 x 4000 pixels is too large"):
        read_image(tmp_path / "huge.png")


def test_huge_images_of_other_formats_are_refused(tmp_path, monkeypatch):
    import matplotlib.image
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8 whatever")
    # After decoding: a 5000 x 4000 RGB picture that takes no memory (every pixel is the same
    # element).
    monkeypatch.setattr(matplotlib.image, "imread",
                        lambda *a, **k: np.broadcast_to(np.uint8(0), (4000, 5000, 3)))
    with pytest.raises(ImageError, match="5000 x 4000 pixels is too large"):
        read_image(tmp_path / "photo.jpg")

    class DecompressionBombError(Exception):                          # Pillow's name for "enormous"
        pass

    def bomb(*args, **kwargs):
        raise DecompressionBombError("Image size (200000000 pixels) exceeds limit")
    monkeypatch.setattr(matplotlib.image, "imread", bomb)
    with pytest.raises(ImageError, match="the image is too large to read sensibly"):
        read_image(tmp_path / "photo.jpg")
