// The call simulator: realistic synthetic call traffic for the embedded demo and the
// bridge's PBX=simulator source.
export { parseSimulatorConfig, type SimulatorConfig } from './config.js';
export { CallSimulator } from './simulator.js';
export { runSimulator, type RunSimulatorOptions } from './run-simulator.js';
