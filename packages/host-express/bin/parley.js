#!/usr/bin/env node
// The published `parley` command: a committed launcher, so that installing the workspace links a
// bin that exists before anything is built; it runs the built server.
import '../dist/bin.js';
