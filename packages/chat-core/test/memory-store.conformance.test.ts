import { memoryStore } from '@parley/chat-core';
import { runEngineScenarios, runStoreConformance } from '@parley/chat-core/testing';

const createStore = () => ({ store: memoryStore(), cleanup: async () => {} });

runStoreConformance({ createStore });
runEngineScenarios({ createStore });
