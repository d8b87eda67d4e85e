/** Users: role, state, last login; add, change role, set password, disable. */
import { useQuery } from "@tanstack/react-query";
import { useAuth } from "../../lib/auth";
import { useNow } from "../../lib/useNow";
import { Card, ErrorBox, Spinner } from "../ui";
import { AddUserForm } from "./AddUserForm";
import { tableClass, th } from "./bits";
import { KEYS, fetchUsers } from "./queries";
import { UserRow } from "./UserRow";

export function UsersPanel() {
  const { me } = useAuth();
  const now = useNow();
  const users = useQuery({ queryKey: KEYS.users, queryFn: ({ signal }) => fetchUsers(signal) });
  return (
    <Card title="Users">
      <div className="space-y-3 p-3">
        <p className="text-xs text-slate-500 dark:text-slate-400">
          A change of role, password or state ends that user&apos;s sessions: they log in again.
        </p>
        {users.isPending ? <Spinner label="Loading users…" /> : users.isError ? (
          <ErrorBox error={users.error} retry={() => users.refetch()} />
        ) : (
          <div className="overflow-x-auto rounded border border-slate-200 dark:border-slate-800">
            <table data-testid="users-table" className={tableClass()}>
              <thead className="bg-slate-50 dark:bg-slate-800/60">
                <tr>
                  <th scope="col" className={th}>Name</th>
                  <th scope="col" className={th}>Role</th>
                  <th scope="col" className={th}>State</th>
                  <th scope="col" className={th}>Last login</th>
                  <th scope="col" className={th}>Created</th>
                  <th scope="col" className={th}><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => (
                  <UserRow key={user.name} user={user} isSelf={user.name === me?.name} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <AddUserForm />
      </div>
    </Card>
  );
}
