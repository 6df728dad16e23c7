import manifest from '../../package.json';

/** This program's version, from package.json. */
export const SDPROMPT_VERSION: string = manifest.version;
