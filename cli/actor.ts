import { userInfo } from 'node:os';

/**
 * Who a CLI-run admin action is recorded as: `cli:<os user>`. The CLI reaches the database
 * directly, so no key identifies it; the OS account is the best witness there is (and `cli` alone
 * when the account has no name, as in some containers).
 */
export function cliActor(): string {
  try {
    const { username } = userInfo();
    return username ? `cli:${username}` : 'cli';
  } catch {
    return 'cli';
  }
}
