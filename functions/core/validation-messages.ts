import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini ships without messages: every issue it finds itself reads "Invalid input". Loaded once per process, the
 * English ones say what was expected ("Too big: expected number to be <=10", "Unrecognized key: \"extra\"").
 * Imported for this effect by everything that reports issues: the HTTP stack and the importer.
 */
z.config(en());
