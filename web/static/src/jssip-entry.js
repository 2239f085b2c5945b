// Entry point for the JsSIP browser bundle: esbuild turns this into an IIFE exposing the
// global `JsSIP` (see package.json "bundle" and provisioning/steps/50-web-bundle.sh).
module.exports = require("jssip");
