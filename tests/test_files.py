"""files: every output is written whole or not at all, a set of them as one, with the mode the umask gives."""

import os
import stat

import pytest

from summarizer.files import atomic_write, check_writable, stays_inside


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_mode_the_umask_gives_not_a_private_one(tmp_path):
    previous = os.umask(0o022)
    try:
        atomic_write(tmp_path / "brief.md", "note")
    finally:
        os.umask(previous)
    assert mode_of(tmp_path / "brief.md") == 0o644


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "brief.md"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(path, "new")
    assert path.read_text() == "new" and mode_of(path) == 0o640


def test_a_folder_that_cannot_take_a_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OSError) as err:
        check_writable(tmp_path / "a-file" / "out")
    assert "a-file" in str(err.value.filename)


def test_a_folder_without_room_for_the_set_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(OSError, match="No space left on device .* bytes free, about .* needed"):
        check_writable(tmp_path, needed_bytes=1 << 62)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("path", "inside"), [("a/b.txt", True), ("a/../b.txt", True), ("../b.txt", False),
                                              ("a/../../b.txt", False), ("/etc/passwd", False)])
def test_a_path_named_in_a_file_stays_inside_its_folder_only_as_written(tmp_path, path, inside):
    assert stays_inside(tmp_path / path, tmp_path) is inside
