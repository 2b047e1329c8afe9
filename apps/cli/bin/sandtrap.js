#!/usr/bin/env node
// Entry point of the `sandtrap` command; the compiled CLI lives in ../dist (built by `npm ci` via prepare).
import '../dist/main.js';
