"""Subcommand definitions. Heavy imports happen inside each ``run``."""

from __future__ import annotations

import argparse

from auditlib.cli import command
