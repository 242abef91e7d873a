import { join } from 'node:path';
import { PROJECT_ROOT } from '../../workers/config';

export const MODELS_DIR = join(PROJECT_ROOT, 'demo', 'models');
export const PHISHING = { name: 'phishing-gb', version: '1' } as const;
