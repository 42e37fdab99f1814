import sys

from hostctl.shell import main

sys.exit(main())
