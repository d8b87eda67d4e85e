// The machine running `make test` is shared and slow at times: give waits room so a test
// fails for what it checks, not for a busy CPU.
import { configure } from "@testing-library/react";

configure({ asyncUtilTimeout: 5000 });
