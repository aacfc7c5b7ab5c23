#!/usr/bin/env node
// The executable: loads the compiled CLI and nothing else.
import('../dist/cli.js');
