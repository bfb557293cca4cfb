from gait.cli import main

main()
