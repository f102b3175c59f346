# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sphinx configuration for nv-vmbind's documentation.  Build it with
#   sphinx-build -W -b html docs OUT
# (meson test 'docs' does).  A :doc: or :ref: to nothing is a warning, and
# -W makes every warning an error, so a broken reference fails the build;
# nitpicky adds any other cross-reference that does not resolve.

project = 'nv-vmbind'
copyright = 'nv-vmbind contributors'
author = 'nv-vmbind contributors'

# Plain reStructuredText only: no extension, nothing fetched at build time.
extensions = []

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build']

nitpicky = True
# The pages quote C and shell; nothing in them is Python.
highlight_language = 'none'

html_theme = 'alabaster'
html_show_sourcelink = False
