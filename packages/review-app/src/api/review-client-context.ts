import { createContext, useContext } from 'react';
import type { ReviewClient } from './review-client.js';

/** The signed-in client; App provides it once it has a token. */
export const ReviewClientContext = createContext<ReviewClient | null>(null);

export function useReviewClient(): ReviewClient {
  const client = useContext(ReviewClientContext);
  if (!client) throw new Error('useReviewClient: no ReviewClientContext above this component');
  return client;
}
