import * as z from 'zod/mini';

/** Numbers DynamoDB stores exactly: safe integers and decimals that neither overflow nor underflow. */
export const storableNumber = z
  .number()
  .check(
    z.refine(
      (n) => Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER && (n === 0 || Math.abs(n) >= 1e-100),
      'Use a number between ±9007199254740991 (and not smaller than 1e-100 unless 0).',
    ),
  );
