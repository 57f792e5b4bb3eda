"""`python -m landgrade.demo seed | show` (the same as `landgrade demo ...`)."""

from landgrade.demo.command import demo

demo(prog_name="python -m landgrade.demo")
